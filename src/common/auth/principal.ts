/** Who is calling, taken from a verified JWT. */
export interface Principal {
  /** The JWT `sub`: the shopper's (or admin's) user id. */
  userId: string;
  isAdmin: boolean;
}
