export { Cacher, type CachedObjects, type CacherOptions, type WatchStart } from './cacher.js';
export { Cachers } from './cachers.js';
export type { CacheWatchRequest } from './cache-watcher.js';
export { DEFAULT_WATCH_CACHE_WINDOW, type WatchCacheWindow } from './watch-cache.js';
