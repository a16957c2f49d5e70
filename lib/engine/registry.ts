// What the commands that talk to registries do: pull, push, search, login.
// The work is in lib/image; this is the face the CLI sees.
export { pullAllTags, pullImage, type PullOptions, type PullResult } from '../image/pull.js';
export { pushImage, type PushOptions, type PushResult } from '../image/push.js';
export { search, type SearchOptions, type SearchResult } from '../image/search.js';
export { authFileFor, removeLogin, saveLogin, storedLogin, verifyLogin } from '../image/registry/login.js';
export { hostPlatform } from '../image/registry/manifest.js';
export type { AccessOptions } from '../image/registry/connect.js';
