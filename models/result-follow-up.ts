// A result's current follow-up, joined to the statements that read a result for its body: the SCHEDULED
// one, else the latest CREATED one (superseded ones no longer count). One index lookup per result
// (follow_ups_result), in the same statement, so no read of a result costs a second round trip for it.

/** The columns ResultRecord names followUp*; the lateral subquery goes by the alias `fu`. */
export const FOLLOW_UP_COLUMNS = `fu.scheduled_at AS "followUpScheduledAt", fu.state AS "followUpState", fu.activity_id AS "followUpActivityId"`;

/** LEFT JOIN LATERAL of the follow-up of the result whose tenant and id are these SQL expressions. */
export function followUpJoin(tenantId: string, resultId: string): string {
  return `LEFT JOIN LATERAL (
    SELECT f.scheduled_at, f.state, f.activity_id FROM follow_ups f
     WHERE f.tenant_id = ${tenantId} AND f.result_id = ${resultId} AND f.state <> 'SUPERSEDED'
     ORDER BY f.state = 'SCHEDULED' DESC, f.created_at DESC
     LIMIT 1) fu ON true`;
}
