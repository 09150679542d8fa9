// Barrel for event time: clock, durations, watermark strategies and generators, the
// timestamps-and-watermarks operator and the watermark valve. Re-exported by the package entry.
export * from './clock.ts';
export * from './time.ts';
export * from './watermark-generator.ts';
export * from './watermark-strategy.ts';
export * from './timestamps-and-watermarks-operator.ts';
export * from './status-watermark-valve.ts';
