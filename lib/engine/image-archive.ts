// Images in and out of files: load and save (docker-archive, oci-archive) and
// import of a root filesystem tarball. The work is in lib/image.
export { ARCHIVE_FORMATS, loadImages, saveImages, type ArchiveFormat, type LoadOptions, type LoadResult, type SaveOptions } from '../image/archive.js';
export { importImage, type ImportOptions } from '../image/import.js';
