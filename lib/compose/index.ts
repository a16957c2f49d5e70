// The compose layer's entry points: loadProject() (load.ts) and renderConfig() (render.ts).
export { loadProject, type LoadOptions } from './load.js';
export { renderConfig } from './render.js';
export { servicesInOrder } from './order.js';
export { words } from './normalize.js';
export type * from './model.js';
