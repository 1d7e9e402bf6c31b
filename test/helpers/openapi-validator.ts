import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** The parts of the served document the validator reads. */
export interface ServedDocument {
  paths: Record<string, Record<string, ServedOperation>>;
  components: { schemas: Record<string, unknown>; headers?: Record<string, ServedHeader> };
}
interface ServedOperation {
  responses?: Record<
    string,
    {
      content?: Record<string, { schema: unknown }>;
      headers?: Record<string, { $ref?: string; required?: boolean }>;
    }
  >;
}
interface ServedHeader {
  required?: boolean;
}

interface Route {
  template: string;
  pattern: RegExp;
  /** Fewer parameters win: /v1/reservations/batch before /v1/reservations/{id}. */
  parameters: number;
}

const DOCUMENT_ID = 'https://stockhold.local/openapi.json';

/**
 * Checks every response the e2e client receives against the document the app serves at
 * /docs-json: the operation is found by method and route template, its status must be one the
 * operation lists, and a JSON body must match that status's schema. Paths the document does not
 * describe (/docs, unknown routes) are not checked.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: ServedDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: { schemas: document.components.schemas } });
    this.routes = Object.keys(document.paths)
      .map((template) => {
        const parameters = (template.match(/\{[^}]+\}/g) ?? []).length;
        const source = template
          .split(/\{[^}]+\}/)
          .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]+');
        return { template, pattern: new RegExp(`^${source}$`), parameters };
      })
      .sort((a, b) => a.parameters - b.parameters);
  }

  /** Throws a description of every way the response breaks the document. */
  check(
    method: string,
    url: string,
    response: { status: number; headers: Headers; body: unknown },
  ): void {
    const path = new URL(url, 'http://x').pathname;
    const lower = method.toLowerCase();
    const route = this.routes.find(
      (candidate) => candidate.pattern.test(path) && this.document.paths[candidate.template][lower],
    );
    if (!route) return;
    const operation = this.document.paths[route.template][lower];
    const where = `${method} ${route.template} → ${response.status}`;
    const answer = operation.responses?.[String(response.status)];
    if (!answer) {
      throw new Error(
        `OpenAPI drift: ${where} is not a documented status (documented: ${Object.keys(operation.responses ?? {}).join(', ')}); body: ${JSON.stringify(response.body)}`,
      );
    }
    for (const [name, header] of Object.entries(answer.headers ?? {})) {
      const required = header.$ref
        ? this.document.components.headers?.[header.$ref.split('/').pop()!]?.required
        : header.required;
      if (required && !response.headers.has(name)) {
        throw new Error(`OpenAPI drift: ${where} lacks the required header ${name}`);
      }
    }
    const [contentType, media] = Object.entries(answer.content ?? {})[0] ?? [];
    if (!contentType || !media) return;
    if (contentType !== 'application/json') {
      if (typeof response.body !== 'string') {
        throw new Error(`OpenAPI drift: ${where} should answer ${contentType} text`);
      }
      return;
    }
    const validate = this.validatorFor(`${where}`, media.schema);
    if (!validate(response.body)) {
      throw new Error(
        `OpenAPI drift: ${where} body does not match its schema: ${this.ajv.errorsText(validate.errors)}; body: ${JSON.stringify(response.body)}`,
      );
    }
  }

  private validatorFor(key: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      // Response schemas are $refs into components; they resolve against the registered document.
      const ref = (schema as { $ref?: string }).$ref;
      validate = this.ajv.compile(ref ? { $ref: `${DOCUMENT_ID}${ref}` } : (schema as object));
      this.validators.set(key, validate);
    }
    return validate;
  }
}
