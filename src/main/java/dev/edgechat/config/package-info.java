/**
 * Settings: {@code edge-config/edgechat.yaml} (defaults and documentation), per-region overrides,
 * {@code EDGECHAT_*} environment variables; validated at start into one immutable
 * {@link dev.edgechat.config.EdgechatConfig}, with [tunable] settings reloaded into
 * {@link dev.edgechat.config.LiveConfig} without a restart; {@link dev.edgechat.config.Artifact} says
 * what the running jar holds (the slim one has no embedded databases).
 */
package dev.edgechat.config;
