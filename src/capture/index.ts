/** Capture-file reading: pcap and pcapng, streamed. See read.ts for the contract of the sink. */
export { readCapture, readCaptureStream, type ReadCaptureOptions } from './read.js';
export type { CaptureInterface, CaptureReadResult, CaptureRecord, CaptureSink, CaptureTime } from './types.js';
export type { CaptureFormat, CaptureStop } from '../model/report-input.js';
