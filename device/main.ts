// Device entry: one App, started once. Everything else happens in native callbacks.
import { App } from './app.ts';
import { identityError, readBootSettings } from './settings/read.ts';

// A bad id in the settings is a provisioning error: say so once and stay off the network, rather than
// subscribing to wildcards or reconnecting in a loop. `jerrywatt flash` refuses such ids in the first place.
// The settings are read once, here, and handed to the app, which hands each part what it needs.
const settings = readBootSettings();
const bad = identityError(settings);
if (bad) native.log('error', `${bad}; the app does not start. Provision a valid one: jerrywatt flash --device-id ID`);
else new App(settings).start();
