/** The current time, passed in so tests can fix it. */
export type Clock = () => Date;

/** The system clock. */
export const systemClock: Clock = () => new Date();
