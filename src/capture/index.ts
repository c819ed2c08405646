/** Capture-file reading: pcap and pcapng, streamed. See read.ts for the contract of the sink. */
export { readCapture, readCaptureStream, type ReadCaptureOptions } from './read.js';
export type { CaptureFormat, CaptureInterface, CaptureReadResult, CaptureRecord, CaptureSink, CaptureStop, CaptureTime } from './types.js';
