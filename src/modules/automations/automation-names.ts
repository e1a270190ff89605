export const AUTOMATION_NAME_MAX = 100;

export const automationNameTaken = (name: string) => `An automation named "${name}" already exists in this organization; choose another name.`;
