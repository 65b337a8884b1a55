/**
 * The origin: answers questions for the edges ({@code /internal/*}): loads the conversation,
 * retrieves passages, asks the model, streams its tokens and saves both messages.
 */
package dev.edgechat.origin;
