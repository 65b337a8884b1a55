/**
 * The jar's entry point and the one place its parts are put together: {@code Main} reads the command
 * line and the settings and starts one role (all, edge, origin, worker, sim or bench; DESIGN.md,
 * Roles), assembled from the packages below this one.
 */
package dev.edgechat;
