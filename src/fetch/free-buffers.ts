// Frees large ArrayBuffers' memory within two event-loop turns, instead of at the thread's next garbage collection.
import { MessageChannel } from 'node:worker_threads';

/**
 * Detaches `buffers` into a message on a channel closed at once: the message is dropped unread, and with it the
 * buffers' memory. No collection is needed (a main thread that allocates little collects rarely, so a garbage
 * ArrayBuffer's memory stayed allocated for several large scrapes). Each buffer must be one nothing else views.
 */
export function freeArrayBuffers(buffers: readonly ArrayBuffer[]): void {
  if (buffers.length === 0) return;
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, buffers as ArrayBuffer[]);
  port1.close();
  port2.close();
}
