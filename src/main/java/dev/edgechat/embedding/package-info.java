/**
 * Text to vectors for the knowledge base: the {@link dev.edgechat.embedding.EmbeddingModel}
 * interface, the in-process MiniLM model, an OpenAI-compatible remote model, a batcher that
 * groups concurrent calls into few upstream requests, and a Redis cache by content hash and model.
 * {@link dev.edgechat.embedding.Embeddings#create} composes them as the settings say.
 */
package dev.edgechat.embedding;
