package org.opendpm.api.agent;

/**
 * How an image read ended.
 *
 * @param chunks chunks the sink took in this request (from {@code fromChunk})
 * @param storedBytes stored bytes among them
 */
public record ImageReadResult(long chunks, long storedBytes) {
}
