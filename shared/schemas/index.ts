export * from './common.js';
export * from './entry.js';
export * from './api.js';
export * from './jobs.js';
export * from './events.js';
export * from './project-config.js';
