// The traffic model of the Linear Road generator: how many cars an expressway carries at
// a given second (the load ramp) and how fast a car drives in a segment holding a given
// number of cars (a Greenshields speed-density line with a crawl floor). Slow segments
// fill up and slow further, so jams form here and there once the road is busy: that is
// where NOV > 50 and LAV < 40 and tolls are charged. Kept apart from the generator so
// that the shape of the load can be read and tuned in one place.

/** Cars on one expressway once the ramp is over (about 2,300 reports/s). */
export const PEAK_CARS = 70_000;

/** Seconds over which the number of cars climbs linearly from 0 to PEAK_CARS. */
export const RAMP_S = 3_600;

/** Cars in one segment and direction at which traffic stands still. */
export const JAM_CARS = 1000;

/** Slowest speed of a moving car, mph: a moving car always changes position. */
export const CRAWL_MPH = 10;

/** How many cars one expressway should carry at `timeS`. */
export function targetCars(timeS: number): number {
  return timeS >= RAMP_S ? PEAK_CARS : Math.floor((PEAK_CARS * timeS) / RAMP_S);
}

/** Cars on one expressway integrated over [0, `timeS`] (car-seconds): the integral of targetCars. */
export function carSecondsUntil(timeS: number): number {
  return timeS <= RAMP_S
    ? (PEAK_CARS * timeS * timeS) / (2 * RAMP_S)
    : PEAK_CARS * (RAMP_S / 2 + timeS - RAMP_S);
}

/** Speed, mph, of a car whose free speed is `freeMph` in a segment holding `cars` cars. */
export function speedMph(freeMph: number, cars: number): number {
  const v = Math.round(freeMph * (1 - cars / JAM_CARS));
  return v < CRAWL_MPH ? CRAWL_MPH : v;
}

/** Feet a car at `mph` covers between two reports (30 s): mph * 5280 / 120. */
export function feetPerReport(mph: number): number {
  return mph * 44;
}
