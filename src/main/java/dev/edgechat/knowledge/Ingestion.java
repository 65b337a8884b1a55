package dev.edgechat.knowledge;

import dev.edgechat.embedding.EmbeddingException;
import dev.edgechat.embedding.EmbeddingModel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns accepted documents into retrievable chunks: chunk, embed (all chunks of a batch of
 * documents in one call, so a remote model's batcher fills its batches), store chunks and vectors
 * with the document marked ready (one transaction per document), update this process's index,
 * then start a new knowledge-base version of the site (one per run) so cached answers retire.
 *
 * <p>Idempotent: a document is only changed while it still waits for the content that was chunked
 * (see {@link DocumentStore#storeChunks}), so a job run twice, or overtaken by a newer version of
 * the document, leaves one set of chunks.
 */
public final class Ingestion {

  private static final Logger LOG = LoggerFactory.getLogger(Ingestion.class);
  /** Documents chunked and embedded together: bounds the memory one run holds. */
  private static final int DOCUMENTS_PER_ROUND = 256;
  /** Document transactions one run has open at once (the writer pool has at most 20 connections). */
  private static final int STORES_AT_ONCE = 4;

  private final DocumentStore documents;
  private final Chunker chunker;
  private final EmbeddingModel embeddings;
  private final ChunkIndex index;
  private final SiteVersions versions;
  private final WorkerExecutor workers;

  /** What a run did. */
  public record Report(int ready, int skipped, int chunks) {
    public JsonObject toJson() {
      return new JsonObject().put("ready", ready).put("skipped", skipped).put("chunks", chunks);
    }
  }

  /**
   * @param index this process's chunk index, kept up to date at once; null in a process that does
   *     not retrieve (a worker: origins refresh theirs on the site's invalidation)
   * @param workers where chunking (tokenizing) runs
   */
  public Ingestion(DocumentStore documents, Chunker chunker, EmbeddingModel embeddings, ChunkIndex index,
      SiteVersions versions, WorkerExecutor workers) {
    this.documents = Objects.requireNonNull(documents);
    this.chunker = Objects.requireNonNull(chunker);
    this.embeddings = Objects.requireNonNull(embeddings);
    this.index = index;
    this.versions = Objects.requireNonNull(versions);
    this.workers = Objects.requireNonNull(workers);
  }

  /**
   * Ingests those of the documents that are pending. When it fails (the embedding model or the
   * database did), the documents stored before the failure are ready and indexed, the others stay
   * pending for the retry, or with {@code lastAttempt} are marked failed with the reason. A site
   * with documents made ready gets a new version; so does one whose job is a {@code retry} (its
   * earlier try may have made documents ready and died before the version changed).
   */
  public Future<Report> ingest(String siteId, List<String> documentIds, boolean lastAttempt, boolean retry) {
    Future<Report> done = Future.succeededFuture(new Report(0, 0, 0));
    for (int from = 0; from < documentIds.size(); from += DOCUMENTS_PER_ROUND) {
      List<String> round = documentIds.subList(from, Math.min(documentIds.size(), from + DOCUMENTS_PER_ROUND));
      done = done.compose(sofar -> ingestRound(siteId, round, lastAttempt).map(r ->
          new Report(sofar.ready() + r.ready(), sofar.skipped() + r.skipped(), sofar.chunks() + r.chunks())));
    }
    return done.transform(ar -> {
      boolean changed = retry || (ar.succeeded() ? ar.result().ready() > 0 : true);
      Future<Void> bumped = changed ? versions.bump(siteId).mapEmpty() : Future.succeededFuture();
      return bumped.transform(v -> ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause()));
    });
  }

  private Future<Report> ingestRound(String siteId, List<String> ids, boolean lastAttempt) {
    List<Future<Optional<DocumentStore.StoredDocument>>> loads = ids.stream()
        .map(id -> documents.document(siteId, id)).toList();
    return Future.all(loads).compose(all -> {
      List<DocumentStore.StoredDocument> pending = new ArrayList<>();
      for (Future<Optional<DocumentStore.StoredDocument>> load : loads) {
        load.result().filter(d -> d.status().equals("pending")).ifPresent(pending::add);
      }
      int skipped = ids.size() - pending.size();
      if (pending.isEmpty()) {
        return Future.succeededFuture(new Report(0, skipped, 0));
      }
      return workers.executeBlocking(() -> pending.stream().map(d -> chunker.chunks(d.document().text())).toList(),
              false)
          .compose(chunks -> embedAll(chunks)
              .compose(vectors -> store(siteId, pending, chunks, vectors))
              .recover(e -> isRefusedInput(e) && pending.size() > 1
                  ? oneByOne(siteId, pending, chunks, lastAttempt)
                  : Future.failedFuture(e)))
          .map(r -> new Report(r.ready(), r.skipped() + skipped, r.chunks()))
          .recover(e -> lastAttempt ? markFailed(siteId, pending, e).compose(v -> Future.failedFuture(e))
              : Future.failedFuture(e));
    });
  }

  /** The provider refused what it was given (a 4xx other than 429): retrying the same input cannot help. */
  private static boolean isRefusedInput(Throwable e) {
    return e instanceof EmbeddingException refused && !refused.retryable();
  }

  /**
   * After the provider refused a round's input: each document alone, so that one bad document
   * does not hold the others back. Fails (for the retry, or marking the rest failed) when any did.
   */
  private Future<Report> oneByOne(String siteId, List<DocumentStore.StoredDocument> pending, List<List<String>> chunks,
      boolean lastAttempt) {
    Future<Report> done = Future.succeededFuture(new Report(0, 0, 0));
    List<Throwable> failures = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      List<DocumentStore.StoredDocument> one = List.of(pending.get(i));
      List<List<String>> itsChunks = List.of(chunks.get(i));
      done = done.compose(sofar -> embedAll(itsChunks)
          .compose(vectors -> store(siteId, one, itsChunks, vectors))
          .map(r -> new Report(sofar.ready() + r.ready(), sofar.skipped() + r.skipped(), sofar.chunks() + r.chunks()))
          .recover(e -> {
            failures.add(e);
            Future<Void> marked = lastAttempt ? markFailed(siteId, one, e) : Future.succeededFuture();
            return marked.map(sofar);
          }));
    }
    return done.compose(report -> failures.isEmpty() ? Future.succeededFuture(report)
        : Future.failedFuture(failures.get(0)));
  }

  /** One embedding call for the chunks of every document, split back per document. */
  private Future<List<List<float[]>>> embedAll(List<List<String>> chunksPerDocument) {
    List<String> texts = chunksPerDocument.stream().flatMap(List::stream).toList();
    if (texts.isEmpty()) {
      return Future.succeededFuture(chunksPerDocument.stream().map(c -> List.<float[]>of()).toList());
    }
    return embeddings.embed(texts).map(vectors -> {
      List<List<float[]>> out = new ArrayList<>(chunksPerDocument.size());
      int at = 0;
      for (List<String> chunks : chunksPerDocument) {
        out.add(vectors.subList(at, at + chunks.size()));
        at += chunks.size();
      }
      return out;
    });
  }

  /**
   * Stores each document's chunks in a transaction of its own, {@value #STORES_AT_ONCE} at a time,
   * then puts what changed into the index in one go.
   */
  private Future<Report> store(String siteId, List<DocumentStore.StoredDocument> pending, List<List<String>> chunks,
      List<List<float[]>> vectors) {
    List<Future<Optional<DocumentStore.ChunkChange>>> stores = new ArrayList<>(pending.size());
    Future<?> previous = Future.succeededFuture();
    for (int from = 0; from < pending.size(); from += STORES_AT_ONCE) {
      int start = from;
      int end = Math.min(pending.size(), from + STORES_AT_ONCE);
      List<Promise<Optional<DocumentStore.ChunkChange>>> slice = new ArrayList<>();
      for (int i = start; i < end; i++) {
        Promise<Optional<DocumentStore.ChunkChange>> stored = Promise.promise();
        slice.add(stored);
        stores.add(stored.future());
      }
      // a slice at a time: ingestion leaves most of the writer pool to conversations
      previous = previous.transform(v -> {
        for (int i = start; i < end; i++) {
          DocumentStore.StoredDocument document = pending.get(i);
          documents.storeChunks(new DocumentStore.ChunkedDocument(siteId, document.document().id(),
                  document.contentHash(), embeddings.name(), chunks.get(i), vectors.get(i)))
              .onComplete(slice.get(i - start));
        }
        return Future.join(slice.stream().map(Promise::future).toList());
      });
    }
    // join, not all: what committed before a failure is indexed before the failure is passed on
    return Future.join(stores).transform(joined -> {
      List<Long> added = new ArrayList<>();
      List<float[]> addedVectors = new ArrayList<>();
      List<Long> removed = new ArrayList<>();
      int ready = 0;
      int chunkCount = 0;
      for (int i = 0; i < stores.size(); i++) {
        Optional<DocumentStore.ChunkChange> change = stores.get(i).succeeded()
            ? stores.get(i).result() : Optional.empty();
        if (change.isPresent()) {
          ready++;
          chunkCount += chunks.get(i).size();
          added.addAll(change.get().added());
          addedVectors.addAll(vectors.get(i));
          removed.addAll(change.get().removed());
        }
      }
      Report report = new Report(ready, stores.size() - ready, chunkCount);
      Future<Void> indexed = applyToIndex(siteId, added, addedVectors, removed);
      return joined.succeeded() ? indexed.map(report) : indexed.transform(v -> Future.failedFuture(joined.cause()));
    });
  }

  private Future<Void> applyToIndex(String siteId, List<Long> added, List<float[]> vectors, List<Long> removed) {
    return index == null ? Future.succeededFuture() : index.apply(siteId, added, vectors, removed);
  }

  private Future<Void> markFailed(String siteId, List<DocumentStore.StoredDocument> pending, Throwable e) {
    LOG.warn("documents failed to ingest [site: {}, documents: {}, reason: {}]", siteId, pending.size(), e.toString());
    String reason = e.getMessage() == null ? e.toString() : e.getMessage();
    return Future.join(pending.stream()
            .map(d -> documents.markFailed(siteId, d.document().id(), d.contentHash(), reason)).toList())
        .mapEmpty();
  }

  /**
   * Deletes a document marked for deletion, with its chunks, and starts a new version of the site
   * (also on a {@code retry} that finds it gone: the earlier try may have died before the version
   * changed); succeeds with false when there was nothing to delete (done already, or stored again since).
   */
  public Future<Boolean> delete(String siteId, String documentId, boolean retry) {
    return documents.delete(siteId, documentId).compose(removed -> removed.isEmpty()
        ? (retry ? versions.bump(siteId).map(false) : Future.succeededFuture(false))
        : applyToIndex(siteId, List.of(), List.of(), removed.get())
            .compose(v -> versions.bump(siteId))
            .map(true));
  }
}
