// Server state of 施設情報: TanStack Query key ["facility", code].
import { useQuery } from "@tanstack/react-query";
import { api, type Answer, call } from "../../api/client";

export type FacilitySettings = Answer<"/api/v1/facilities/{code}", "get">;

export const facilityKey = (code: string) => ["facility", code] as const;

/** The signed-in admin's facility and every setting of it (read-only). */
export function useFacility(code: string) {
  return useQuery({
    queryKey: facilityKey(code),
    queryFn: () => call(api.GET("/api/v1/facilities/{code}", { params: { path: { code } } })),
  });
}
