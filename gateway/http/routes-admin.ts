/**
 * Admin routes (admin token): `POST /admin/reimport` (202, progress in `/status`),
 * `POST /admin/drain` and `POST /admin/undrain` → `{draining}`, and the hub's admin router
 * (query release and the like) mounted at `/admin/queries` when the hub provides one.
 */
import { Router } from 'express';
import type { GatewayContext } from '../context';
import { startReimport } from '../reimport';
import { requireToken } from './auth';

/** The admin routes. */
export function adminRouter(context: GatewayContext, hubAdminRouter?: Router): Router {
  const router = Router();
  router.use('/admin', requireToken(context.secrets.adminToken, 'admin'));

  router.post('/admin/drain', (_req, res) => {
    context.state.draining = true;
    context.logger.info('draining: imports and new queries refused');
    res.json({ draining: true });
  });

  router.post('/admin/undrain', (_req, res) => {
    context.state.draining = false;
    context.logger.info('undrained: imports and queries accepted');
    res.json({ draining: false });
  });

  router.post('/admin/reimport', (_req, res) => {
    void startReimport(context);
    res.status(202).json({ reimport: context.state.reimport });
  });

  if (hubAdminRouter) router.use('/admin/queries', hubAdminRouter);
  return router;
}
