// Server state of 出力一覧 and of one user CSV job: TanStack Query keys ["jobs", code, …]
// for the list and ["job", code, id] for one job, polled only while something moves.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Answer, call } from "../../api/client";
import type { paths } from "../../api/admin";
import { isActive } from "./format";

export type OutputJob = Answer<"/api/v1/facilities/{code}/jobs", "get">["items"][number];
export type UserJob = Answer<"/api/v1/facilities/{code}/jobs/users/{job_id}", "get">;
export type JobStatus = NonNullable<
  NonNullable<paths["/api/v1/facilities/{code}/jobs"]["get"]["parameters"]["query"]>["status"]
>;

/** identity's `csv_max_bytes` as docs/api/admin.json states it; the server checks again. */
export const CSV_MAX_BYTES = 10 * 1024 * 1024;
/** 出力一覧 holds at most this many rows (the API's own maximum). */
const LIST_LIMIT = 200;
const LIST_POLL_MS = 3_000;
const JOB_POLL_MS = 1_000;

export const jobsKey = (code: string) => ["jobs", code] as const;
export const jobKey = (code: string, jobId: string) => ["job", code, jobId] as const;

/** 出力一覧, one ステータス or all; refreshed every few seconds while a row is 待機中/処理中. */
export function useOutputJobs(code: string, status: JobStatus | null) {
  return useQuery({
    queryKey: [...jobsKey(code), status ?? "all"],
    queryFn: () =>
      call(
        api.GET("/api/v1/facilities/{code}/jobs", {
          params: { path: { code }, query: { limit: LIST_LIMIT, ...(status ? { status } : {}) } },
        }),
      ),
    refetchInterval: (query) =>
      query.state.data?.items.some((job) => isActive(job.status)) ? LIST_POLL_MS : false,
  });
}

/** One user CSV job with its row counts, polled about every second until it ends. */
export function useUserJob(code: string, jobId: string | null, pollMs = JOB_POLL_MS) {
  return useQuery({
    queryKey: jobKey(code, jobId ?? ""),
    enabled: jobId !== null,
    queryFn: () =>
      call(
        api.GET("/api/v1/facilities/{code}/jobs/users/{job_id}", {
          params: { path: { code, job_id: jobId ?? "" } },
        }),
      ),
    // A job that cannot be read at all (gone, another facility's) is not asked for again.
    refetchInterval: (query) => {
      const job = query.state.data;
      return job && isActive(job.status) ? pollMs : false;
    },
  });
}

/** 「全件CSV出力」: queue the export of every user of the facility. */
export function useQueueExport(code: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      call(api.POST("/api/v1/facilities/{code}/jobs/user-export", { params: { path: { code } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: jobsKey(code) }),
  });
}

type ImportPath = "/api/v1/facilities/{code}/jobs/user-import";
type CsvBody = paths[ImportPath]["post"]["requestBody"]["content"]["text/csv"];

/** 「一括登録」: the file's bytes as the body, exactly as chosen (CP932 must reach the server
 * undecoded), so the serializer hands the File to fetch instead of encoding it. */
export function useQueueImport(code: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (file: File) =>
      call(
        api.POST("/api/v1/facilities/{code}/jobs/user-import", {
          params: { path: { code } },
          // openapi-typescript types `format: binary` as a string; the bytes are the File.
          body: file as unknown as CsvBody,
          bodySerializer: (raw) => raw,
          headers: { "Content-Type": "text/csv" },
        }),
      ),
    onSuccess: (job) => {
      client.setQueryData(jobKey(code, job.job_id), job);
      return client.invalidateQueries({ queryKey: jobsKey(code) });
    },
  });
}
