/**
 * The embeddable chat widget as the edge serves it (API.md §6). At build time
 * {@link dev.edgechat.widget.WidgetBuild} turns {@code src/main/resources/widget} into content-hashed,
 * precompressed files and an index ({@link dev.edgechat.widget.WidgetManifest}); at startup
 * {@link dev.edgechat.widget.WidgetAssets} reads them once and serves {@code /widget/} with long-lived
 * or revalidated caching, picking each file's brotli, gzip or plain copy
 * ({@link dev.edgechat.widget.WidgetAsset}) by {@code Accept-Encoding}.
 */
package dev.edgechat.widget;
