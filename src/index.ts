/**
 * The app entry (package.json `main`): the Functions host loads this file, and every
 * function Harbormaster has is registered from here, in one readable list.
 */
export {};
