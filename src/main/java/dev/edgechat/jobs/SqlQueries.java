package dev.edgechat.jobs;

/** The SQL of the job outbox ({@link JobOutbox}); each query's index is named beside it. */
final class SqlQueries {

  private SqlQueries() {
  }

  /** A job staged in its write's transaction, due for a relay after $4 milliseconds. Primary key of job_outbox. */
  static final String STAGE = """
      INSERT INTO job_outbox (job_id, type, payload, due_at)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4 / 1000.0))""";

  /**
   * Claims up to $2 due jobs, oldest first, and moves them on by $1 milliseconds so that no other
   * relay takes them meanwhile (one statement: no transaction stays open while Redis is asked).
   * job_outbox_due_idx; rows another relay is claiming are skipped.
   */
  static final String CLAIM_DUE = """
      UPDATE job_outbox SET due_at = now() + make_interval(secs => $1 / 1000.0), attempts = attempts + 1
      WHERE job_id IN (SELECT job_id FROM job_outbox WHERE due_at <= now() ORDER BY due_at LIMIT $2
        FOR UPDATE SKIP LOCKED)
      RETURNING job_id, type, payload""";

  /** Jobs now on the queue: primary key of job_outbox. */
  static final String REMOVE = "DELETE FROM job_outbox WHERE job_id = ANY($1)";

  /** A staged job, by primary key. */
  static final String FIND = "SELECT job_id, type, payload, created_at FROM job_outbox WHERE job_id = $1";
}
