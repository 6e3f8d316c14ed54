/** The app image format lives with the host code that reads it at run time (host/app-image.ts); the build packs with it. */
export * from '../host/app-image.ts';
