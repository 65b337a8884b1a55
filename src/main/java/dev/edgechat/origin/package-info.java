/**
 * The origin: answers questions for the edges ({@code /internal/*}): loads the conversation,
 * retrieves passages, asks the model, streams its tokens and saves both messages; follows the site
 * change log ({@link dev.edgechat.origin.ChangeHub}) and streams it to every edge
 * ({@link dev.edgechat.origin.ChangeFeedApi}); and the admin API, whose uploads are idempotent by
 * {@code Idempotency-Key} ({@link dev.edgechat.origin.IdempotentWrites}).
 */
package dev.edgechat.origin;
