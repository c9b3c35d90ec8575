// Annotation categories: GET /api/3/annotation-categories (amplitude-api.md §13.2), every category
// whether or not an annotation uses it. The name is read from `category` (live) or `name` (docs).
import { annotationCategoryRows } from '../amplitude/taxonomy-records.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const annotationCategoriesStream: StreamDefinition = {
  name: 'annotation_categories',
  schema: loadSchema('annotation_categories'),
  keyProperties: ['id'],
  replicationMethod: 'FULL_TABLE',
  async *sync(ctx) {
    const { body } = await ctx.client.getJson('/api/3/annotation-categories', { endpoint: 'annotation categories', cost: 1 });
    const { rows, warnings } = annotationCategoryRows(body);
    for (const w of warnings) ctx.log.warn(w);
    for (const record of rows) yield { record };
  },
};
