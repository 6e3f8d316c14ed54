/** Set by the build (esbuild define): the app version written into the app image. */
declare const __APP_VERSION__: number;
