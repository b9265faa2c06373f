/** npm run openapi: regenerate openapi/openapi.json from the code. */
import { writeFile } from 'node:fs/promises';
import { generateOpenApi, OPENAPI_PATH } from '../openapi.js';

await writeFile(OPENAPI_PATH, await generateOpenApi());
console.log(`wrote ${OPENAPI_PATH}`);
