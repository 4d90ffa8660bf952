// Tools for `kaiwa --tools examples/weather-tools.mjs`.
//
// The article series this project grew from added function calling in its follow-up:
// the model decides to call a function, the client runs it and hands back the result, and
// the model answers with it. These two tools show that loop without any network or API key:
// get_weather answers from a small table of canned weather, get_time from the local clock.
//
// A tools module exports an array of { name, description, parameters, handler } as its
// default export (or each tool as a named export). `parameters` is a JSON schema (a zod 4
// schema works too). `handler(args, { signal, callId })` may be async; a string result is
// passed to the model as is, anything else as JSON, and a thrown error becomes
// {"error": "..."} so the model can say what went wrong.

const CANNED_WEATHER = {
  tokyo: { condition: 'sunny', temperature_c: 18, humidity: 55, wind_kph: 9 },
  osaka: { condition: 'cloudy', temperature_c: 17, humidity: 60, wind_kph: 12 },
  paris: { condition: 'light rain', temperature_c: 11, humidity: 82, wind_kph: 15 },
  london: { condition: 'overcast', temperature_c: 9, humidity: 78, wind_kph: 20 },
  'new york': { condition: 'clear', temperature_c: 7, humidity: 45, wind_kph: 18 },
  sydney: { condition: 'warm and humid', temperature_c: 26, humidity: 70, wind_kph: 14 },
};

const CITY_TIME_ZONES = {
  tokyo: 'Asia/Tokyo',
  osaka: 'Asia/Tokyo',
  paris: 'Europe/Paris',
  london: 'Europe/London',
  'new york': 'America/New_York',
  sydney: 'Australia/Sydney',
};

export const get_weather = {
  description: 'Get the current weather for a city (demo data: Tokyo, Osaka, Paris, London, New York, Sydney).',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name, e.g. Tokyo' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'], description: 'Temperature unit (default celsius)' },
    },
    required: ['city'],
  },
  handler: ({ city, unit = 'celsius' }) => {
    const key = String(city).trim().toLowerCase();
    const weather = CANNED_WEATHER[key];
    if (!weather) throw new Error(`no weather data for ${city} (this demo knows ${Object.keys(CANNED_WEATHER).join(', ')})`);
    const { temperature_c, ...rest } = weather;
    const temperature = unit === 'fahrenheit' ? { temperature_f: Math.round(temperature_c * 9 / 5 + 32) } : { temperature_c };
    return { city, ...rest, ...temperature, source: 'canned demo data' };
  },
};

export const get_time = {
  description: 'Get the current local time in a city, or in an IANA time zone such as Europe/Paris.',
  parameters: {
    type: 'object',
    properties: { place: { type: 'string', description: 'A city name or an IANA time zone' } },
    required: ['place'],
  },
  handler: ({ place }) => {
    const timeZone = CITY_TIME_ZONES[String(place).trim().toLowerCase()] ?? String(place).trim();
    let time;
    try {
      time = new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(new Date());
    } catch {
      throw new Error(`unknown place or time zone: ${place}`);
    }
    return { place, time_zone: timeZone, local_time: time };
  },
};

export default [get_weather, get_time];
