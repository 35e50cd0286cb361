// Business-rule outcomes of mutations: stable code, the input field concerned, a Chinese message for staff.
export interface UserErrorDto {
  code: string;
  field?: string | null;
  message: string;
}

export function userError(code: string, message: string, field?: string): UserErrorDto {
  return { code, message, field: field ?? null };
}
