/**
 * Settings: {@code edge-config/edgechat.yaml} (defaults and documentation), per-region overrides,
 * {@code EDGECHAT_*} environment variables; validated at start into one immutable
 * {@link dev.edgechat.config.EdgechatConfig}, with [tunable] settings reloaded into
 * {@link dev.edgechat.config.LiveConfig} without a restart.
 */
package dev.edgechat.config;
