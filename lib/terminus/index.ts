// nestjs-aioclock/terminus: a health indicator for @nestjs/terminus (needs the optional peer).
export {
  AioClockHealthIndicator,
  DEFAULT_MAX_STORE_OUTAGE,
  type AioClockHealthOptions,
} from './aioclock.health-indicator.js';
export { terminusMessages } from './terminus.messages.js';
