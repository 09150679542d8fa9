// The Nexmark generator and source, re-exported for the package entry. Imports api/sources/nexmark only.
export * from './nexmark-config.ts';
export * from './nexmark-events.ts';
export * from './nexmark-generator.ts';
export * from './nexmark-source.ts';
export { reversedChannelId } from './nexmark-values.ts';
