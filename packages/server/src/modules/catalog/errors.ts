/** Error codes of the catalog module. */
export type CatalogErrorCode =
  | 'RECORD_NOT_FOUND'
  | 'RECORD_VERSION_CONFLICT'
  | 'RECORD_HAS_ITEMS'
  | 'INVALID_MARC'
  | 'ITEM_NOT_FOUND'
  | 'ITEM_BARCODE_TAKEN'
  | 'ITEM_TYPE_NOT_FOUND'
  | 'ITEM_TYPE_EXISTS'
  | 'INVALID_CALL_NUMBER'
  | 'BRANCH_NOT_FOUND'
  | 'IMPORT_NOT_FOUND';
