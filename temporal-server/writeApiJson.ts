/** `npm run build` step: the Temporal API parsed once into dist/, so the server starts without parsing `.proto` files. */
import { writeApiJson } from './proto';

writeApiJson();
