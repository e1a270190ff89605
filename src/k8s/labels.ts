/** Labels and annotations Gatehouse puts on what it creates, so operators can find and select it. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'gatehouse' } as const;
export const ORGANIZATION_LABEL = 'gatehouse.dev/organization-id';
export const AUTOMATION_LABEL = 'gatehouse.dev/automation-id';
export const VERSION_LABEL = 'gatehouse.dev/version';
export const MANIFEST_HASH_ANNOTATION = 'gatehouse.dev/manifest-sha256';
export const SOURCE_ANNOTATION = 'gatehouse.dev/source';
