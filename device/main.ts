// Device entry: one App, started once. Everything else happens in native callbacks.
import { App } from './app.ts';

new App().start();
