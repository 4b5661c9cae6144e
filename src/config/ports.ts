/** The gateway's documented port (`npm start`, `npm run gateway`); PORT moves it. */
export const GATEWAY_PORT = 4000;
