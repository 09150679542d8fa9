// Barrel for event time: clock, watermark strategies and generators, the timestamps-and-watermarks
// operator and the watermark valve. Re-exported by the package entry; imports nothing but api/time.
export * from './clock.ts';
