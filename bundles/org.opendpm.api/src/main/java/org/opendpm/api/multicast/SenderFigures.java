package org.opendpm.api.multicast;

/**
 * What a session's sender has done so far.
 *
 * @param rateBytesPerSecond the current sending rate its rate control chose
 * @param bytesSent bytes of DATA sent to the group
 * @param chunksServed chunks (or parts of chunks) served from requests
 * @param requestsDropped REQUESTs refused (another session, a non-member, over a source's budget, malformed)
 */
public record SenderFigures(long rateBytesPerSecond, long bytesSent, long chunksServed, long requestsDropped) {
}
