/**
 * Assembly of each role of the jar: one small class per role ({@link dev.edgechat.roles.EdgeRole},
 * {@link dev.edgechat.roles.OriginRole}, {@link dev.edgechat.roles.WorkerRole},
 * {@link dev.edgechat.roles.SimRole}) builds its parts, starts its server and returns what it
 * started; the parts roles share ({@link dev.edgechat.roles.KnowledgeParts},
 * {@link dev.edgechat.roles.WorkerJobs}, {@link dev.edgechat.roles.LocalStores}) are built here too.
 * {@link dev.edgechat.Application} composes them; everything started is stopped again by the
 * {@link dev.edgechat.roles.RoleContext}.
 */
package dev.edgechat.roles;
