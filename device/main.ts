// Device entry: replaced by the spine's app (device/app.ts).
native.log('info', `jerrywatt app ${__APP_VERSION__}`);
