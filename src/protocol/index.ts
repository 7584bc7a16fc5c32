export * from './job';
export * from './event';
export * from './result';
export * from './estimate';
export * from './server';
export * from './metrics';
export * from './limits';
export * from './compare';
