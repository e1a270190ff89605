import type { TestGateway } from '../support/harness.js';

/** The invitation operations the tests in this folder send. */
export const INVITE = `mutation($org: ID!, $email: String!, $role: ID) {
  inviteMember(organizationId: $org, input: { email: $email, roleId: $role }) { id email status expiresAt role { id kind } }
}`;
export const REVOKE = 'mutation($id: ID!) { revokeInvitation(id: $id) { id status } }';
export const ACCEPT = 'mutation($id: ID!) { acceptInvitation(id: $id) { organization { id } role { id kind } } }';

export interface InvitationData {
  inviteMember: { id: string; email: string; status: string; expiresAt: string; role: { id: string; kind: string } };
}

let counter = 0;
/** A fresh address for each test, so tests do not see each other's invitations. */
export const freshEmail = (prefix = 'invitee') => `${prefix}-${process.pid}-${++counter}@example.com`;

/** Invites `email` as the organization's owner and returns the invitation id. */
export async function invite(gw: TestGateway, token: string, organizationId: number, email: string, roleId?: string): Promise<string> {
  const response = await gw.gql<InvitationData>(token, INVITE, { org: String(organizationId), email, role: roleId ?? null });
  if (!response.data) throw new Error(`invite failed: ${JSON.stringify(response.errors)}`);
  return response.data.inviteMember.id;
}
