/**
 * Text to vectors, for the knowledge base and the semantic answer cache: the {@link dev.edgechat.embedding.EmbeddingModel}
 * interface, the in-process MiniLM model (whose per-question form, {@link dev.edgechat.embedding.QuestionEmbedder},
 * the semantic cache uses), an OpenAI-compatible remote model, a batcher that
 * groups concurrent calls into few upstream requests, and a Redis cache by content hash and model.
 * {@link dev.edgechat.embedding.Embeddings#create} composes them as the settings say.
 */
package dev.edgechat.embedding;
