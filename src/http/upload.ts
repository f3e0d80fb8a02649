// A multipart upload (audio to transcribe, an image to edit) read as a form within a stated size, with its file.
import { badRequest, RouterError } from '../router/errors';
import type { Endpoint } from '../providers/provider';
import { bounded } from './body';

/** OpenAI's own limit for an audio file; image edits take the same. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** The multipart routes, and the field each must carry a file in. */
export const UPLOADS: Partial<Record<Endpoint, string>> = {
  'images/edits': 'image',
  'audio/transcriptions': 'file',
  'audio/translations': 'file',
};

export async function readUpload(request: Request, fileField: string): Promise<FormData> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('multipart/form-data')) throw badRequest(`This route takes multipart/form-data with a ${fileField} (got ${type || 'no content type'})`, null, 'invalid_content_type');
  let form: FormData;
  try {
    form = await bounded(request, MAX_UPLOAD_BYTES).formData();
  } catch (e) {
    throw e instanceof RouterError ? e : badRequest('The multipart body could not be read', null, 'invalid_multipart');
  }
  const file = form.get(fileField) ?? form.get(`${fileField}[]`);
  if (!file || typeof file === 'string') throw badRequest(`${fileField}: Field required (a file)`, fileField, 'missing_required_parameter');
  return form;
}
