/**
 * Nearest-neighbour search over embeddings: {@link dev.edgechat.vectors.VectorIndex}, a keyed jvector
 * graph (HNSW-like, cosine), and {@link dev.edgechat.vectors.Vectors}, their compact byte form.
 */
package dev.edgechat.vectors;
