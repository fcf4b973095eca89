// The losses live in ./losses/ (one file per family); this module is their public face.
export * from './losses/index.ts';
