import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { DASHBOARD_TOKEN } from './dashboard/dashboard-token.guard.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  // Without shutdown hooks Nest never calls onApplicationShutdown, so runs would not be drained.
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  console.log(`Sample app on http://localhost:${port} - try: curl localhost:${port}/tasks`);
  console.log(`Dashboard: http://localhost:${port}/aioclock?token=${DASHBOARD_TOKEN}`);
}

void bootstrap();
