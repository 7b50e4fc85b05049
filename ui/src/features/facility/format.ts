import { facilityMessages as t } from "./messages";
import type { FacilitySettings } from "./queries";

/** パスワードの有効期間 as 施設情報 shows it: days, or 無期限 when passwords never expire. */
export function expiryText(days: number | null | undefined): string {
  return days == null ? t.noExpiry : t.days(days);
}

/** 認証連携先 by name, a retired one marked so: it stays on users who have it (U1). */
export function targetNames(targets: FacilitySettings["federation_targets"]): string[] {
  return targets.map((target) => (target.retired ? `${target.name}${t.retired}` : target.name));
}
